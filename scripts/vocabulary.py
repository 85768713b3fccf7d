"""Built-in words for `seed.py`: no downloads, and an order that means something.

Each list runs from frequent to rare: the seeder draws from it with Zipf weights, so the
first words of a list turn up in many descriptions and the last ones in very few, which is
what makes "common word" and "rare word" searches behave as they would on real data.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


ADJECTIVES = _words(
    """
beautiful old little golden quiet blue green bright dark early late morning evening
misty foggy sunny rainy snowy cold warm wild calm empty busy small big tall long
red white black yellow orange purple pink grey silver soft hazy clear cloudy stormy
frozen autumn spring summer winter ancient modern rustic urban rural lonely hidden
peaceful colorful vibrant dramatic gentle narrow wide deep shallow distant nearby
sleepy lazy happy curious playful proud tiny huge endless famous forgotten abandoned
crowded secret sacred historic wooden stone glass rusty shiny dusty muddy sandy rocky
grassy leafy mossy icy wet dry salty sweet fresh ripe wilted blooming fallen broken
twisted crooked straight round square steep gentle faint vivid pale deep rich simple
elegant humble grand tiny fragile sturdy weathered polished painted carved woven
glowing flickering sparkling shimmering drifting rolling rushing still silent noisy
lively sleepy northern southern eastern western coastal alpine tropical arctic desert
volcanic mediterranean nordic baltic celtic gothic baroque victorian medieval roman
industrial minimalist geometric symmetric abstract surreal nostalgic melancholic
dreamy moody cinematic monochrome sepia pastel neon velvet crimson turquoise amber
emerald sapphire ivory ebony copper bronze cobalt indigo scarlet ochre lilac mauve
cerulean vermilion chartreuse iridescent luminous translucent opalescent gossamer
serpentine labyrinthine crepuscular halcyon ethereal diaphanous
"""
)

NOUNS = _words(
    """
light sunset sky city street sea water tree trees beach mountain mountains river lake
sun clouds road forest flowers flower garden house bridge night morning day dog cat
bird birds boat boats window door wall park field fields hills hill valley snow rain
fog shadow shadows reflection reflections rocks stones waves sand shore harbor harbour
island coast cliff cliffs path trail bench car train station market cafe coffee tea
church tower castle ruins village town square fountain statue museum library street
alley stairs roof rooftop balcony lamp lanterns candle fire smoke wind storm lightning
moon stars milky way horizon dawn dusk twilight sunrise noon midnight season leaves
grass moss fern pine oak birch maple willow palm cactus desert dunes canyon waterfall
stream creek pond marsh meadow orchard vineyard farm barn fence gate horse cows sheep
goat chicken duck swan heron gull pigeon crow owl eagle hawk fox deer rabbit squirrel
bear wolf butterfly bee dragonfly spider fish crab shell starfish jellyfish dolphin whale
seal turtle frog lizard snake portrait face eyes hands smile friends family child
children baby grandmother grandfather mother father sister brother wedding party
festival concert dance music guitar piano violin drum street art graffiti mural poster
sign neon lights bicycle bike motorcycle bus tram subway plane airport ship ferry
lighthouse pier dock marina anchor rope net sail kayak canoe surfboard umbrella hat
coat scarf boots shoes dress book books letter map camera lens film photo picture
painting sketch sculpture pottery vase bowl cup plate bread cake pie pizza pasta soup
salad fruit apple apples pear cherries lemon orange grapes berries strawberries melon
pumpkin corn wheat rice tea leaves spices cheese wine beer cocktail breakfast lunch
dinner picnic kitchen table chair sofa bed room hallway corridor arch column dome
spire facade skyline skyscraper building buildings factory chimney crane warehouse
tunnel highway crossroads roundabout parking platform rails tracks signal clock bell
tower keyboard screen phone laptop desk office studio workshop garage shed cabin hut
tent campfire backpack hiker climber runner swimmer surfer skater dancer musician
painter fisherman farmer baker vendor crowd silhouette figure stranger couple
footprints tracks feathers bones skull antlers roots branches bark blossom petals
seeds mushrooms lichen pebbles shells coral seaweed driftwood iceberg glacier
avalanche volcano geyser crater lagoon reef atoll fjord delta estuary plateau ridge
summit peak gorge ravine grotto cave cavern quarry mine dam canal lock aqueduct
viaduct windmill watermill greenhouse conservatory pavilion gazebo pergola trellis
hedge maze labyrinth cemetery chapel cathedral monastery temple shrine pagoda mosque
synagogue minaret bazaar souk carnival parade procession fireworks lantern kite
balloon carousel ferris wheel rollercoaster circus puppet mask costume uniform
armour sword shield banner flag emblem crest mosaic fresco tapestry stained glass
chandelier staircase banister doorway threshold keyhole padlock mailbox doorbell
weathervane gargoyle cobblestones lamppost hydrant manhole scaffolding bollard
turnstile escalator elevator periscope telescope microscope compass sextant astrolabe
hourglass metronome gramophone typewriter abacus harpsichord hurdygurdy zither
dulcimer theremin accordion bagpipes didgeridoo sitar mandolin ocarina
"""
)

VERBS = _words(
    """
walking looking waiting sitting standing running playing reading watching drinking
eating sleeping dreaming dancing singing talking laughing smiling flying falling
floating drifting climbing swimming sailing fishing cycling driving riding exploring
wandering hiking camping painting drawing cooking baking building fixing gathering
picking planting growing blooming melting glowing shining burning rising setting
crossing passing leaning hiding resting listening remembering celebrating skating
surfing diving paddling rowing kneeling whispering juggling knitting weaving carving
polishing sketching composing rehearsing meandering meditating foraging sleepwalking
"""
)

PREPOSITIONS = _words(
    """
in on at over under near by behind beside along across through above below between
around toward against beyond among within
"""
)

TIMES = [
    "today",
    "yesterday",
    "tonight",
    "this morning",
    "last night",
    "at dawn",
    "at dusk",
    "after the rain",
    "before the storm",
    "in the fog",
    "at golden hour",
    "at blue hour",
    "on a sunday",
    "on the weekend",
    "in july",
    "in october",
    "in december",
    "during the holidays",
    "on our trip",
    "on vacation",
    "at midnight",
    "at noon",
]

PLACES = _words(
    """
paris london lisbon rome venice florence naples barcelona madrid seville porto berlin
prague vienna budapest krakow amsterdam brussels copenhagen stockholm oslo helsinki
reykjavik dublin edinburgh istanbul athens santorini crete cyprus malta marrakech cairo
tokyo kyoto osaka seoul bangkok hanoi singapore bali sydney melbourne auckland
vancouver toronto montreal quebec boston chicago seattle portland denver austin
havana lima cusco santiago patagonia buenos aires rio mexico oaxaca yosemite yellowstone
zion sedona alaska iceland norway lapland scotland wales cornwall provence tuscany
sicily sardinia corsica normandy brittany bavaria tyrol dolomites alps pyrenees
carpathians balkans dalmatia montenegro albania georgia armenia uzbekistan mongolia
nepal bhutan kerala rajasthan ladakh yunnan sichuan hokkaido okinawa taiwan borneo
sumatra java tasmania fiji samoa tahiti galapagos madagascar zanzibar namibia botswana
svalbard greenland faroe orkney shetland hebrides azores madeira canaries
"""
)

# Two-word places become tag names with a space ("buenos aires"): real tags have them too.
MULTIWORD_PLACES = [
    "new york",
    "san francisco",
    "los angeles",
    "hong kong",
    "cape town",
    "buenos aires",
    "rio de janeiro",
    "new orleans",
    "lake district",
    "isle of skye",
]

TAG_WORDS = _words(
    """
travel nature landscape portrait street architecture food macro wildlife sunset
blackandwhite film analog night urban city sea beach mountains flowers animals
summer autumn winter spring snow rain fog clouds sky light shadow reflection minimal
abstract color vintage retro documentary everyday family friends kids dogs cats birds
"""
)

FIRST_NAMES = _words(
    """
anna maria olga sofia emma mia lena clara julia nina eva lucia marta elena irene rosa
alice grace ivy ruby zoe chloe hannah sara laura nora ella amelia isla freya maya
leo max ben tom sam alex david daniel lucas noah liam oliver ethan jack harry oscar
adam paul peter mark john james luca marco pablo diego ivan igor yuri omar ali
kenji hiro yuki mei li wei chen jun arjun ravi priya anil sunil kofi ama zara
"""
)

LAST_NAMES = _words(
    """
smith jones brown taylor wilson evans thomas roberts walker wright green hall wood
martin garcia lopez rossi bianchi muller schmidt fischer weber novak kowalski nowak
ivanov petrov silva santos costa pereira dubois moreau laurent bernard leroy jansen
dekker berg lund nilsson larsen hansen virtanen korhonen tanaka sato suzuki kim lee
park nguyen tran wang zhang liu singh patel shah khan mensah okafor
"""
)

COMMENTS = [
    "Love the {noun}!",
    "Beautiful {adj} {noun}.",
    "Great shot, the {noun} is perfect.",
    "What a {adj} view.",
    "This makes me miss {place}.",
    "Stunning light on the {noun}.",
    "Wow, such {adj} colors!",
    "Where exactly is this?",
    "The composition is spot on.",
    "I was there last year, {adj} place.",
    "That {noun} though!",
    "Amazing, which lens did you use?",
    "So {adj}, thanks for sharing.",
    "Looks like a painting.",
    "Perfect timing with the {noun}.",
]

"""HTTP controllers: Struct in, use case called, Struct out."""

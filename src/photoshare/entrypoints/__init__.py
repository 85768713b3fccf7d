"""Entry points: the HTTP app, the dishka composition root and the CLI."""

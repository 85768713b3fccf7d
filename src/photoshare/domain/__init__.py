"""Pure business rules: entities, value objects and policies. No I/O, no frameworks."""

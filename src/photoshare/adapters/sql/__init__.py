"""PostgreSQL adapters: tables, repositories, read-model queries, the unit of work."""

"""Background jobs on PostgreSQL with procrastinate: the app, its tasks, and the `JobQueue` port."""

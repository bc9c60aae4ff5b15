"""Operations: serving (`byline serve`, the scheduler), backup and restore, request logs,
the read-replica router."""

"""Operations: backup and restore, structured request logs, the read-replica router."""

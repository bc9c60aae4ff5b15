"""The read path: anonymous pages in a shared page store, served before Django, purged exactly."""

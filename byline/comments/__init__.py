"""Readers' comments: threads, moderation, spam defence and reply notifications."""

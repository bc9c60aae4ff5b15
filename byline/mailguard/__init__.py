"""E-mail protection in every rendered page, and the author contact form."""

"""Images: presets, renditions, responsive markup, the upload form."""

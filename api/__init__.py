"""The HTTP API, the command line and the web pages: the edges of credwalk."""

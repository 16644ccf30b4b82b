"""The upstream layer: the only package that knows OAuth 1.0a, Netflix paths, XML and its JSON."""

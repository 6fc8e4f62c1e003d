"""The core Django app: sites, protocols (loaded from the protocol files) and participants."""

"""The SRCNN x2 network, reading weights files safely, and training the project's own weights."""

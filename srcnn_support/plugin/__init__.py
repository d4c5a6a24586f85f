"""The pytest plugin's parts: options, fixtures and hooks (registered through ``srcnn_support.pytest_plugin``)."""

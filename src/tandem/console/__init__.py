"""The requester console: project wizard, import, live dashboard and export pages."""

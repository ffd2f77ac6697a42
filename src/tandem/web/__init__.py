"""Server-rendered web UI: Jinja2 templates and static assets."""

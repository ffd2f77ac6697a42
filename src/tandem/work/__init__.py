"""Work: submissions from the workbench; nothing an expert submitted is ever lost."""

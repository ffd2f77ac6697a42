"""Review, appeals, removals with due process, qualification tests and the audit log."""

"""Pay: active time, the pay run, the append-only ledger, payslips and statements."""

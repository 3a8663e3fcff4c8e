"""The three rates (三率) and the problem ledger (问题台账): read-only selectors, pages, API, demo."""

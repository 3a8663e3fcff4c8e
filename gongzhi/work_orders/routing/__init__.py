"""The routing table (派单规则) and the time limits (时限标准): services, pages, API, schemas, demo."""

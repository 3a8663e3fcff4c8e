"""Why governance refuses a write, for machines (the API's ``error.code``); the message is Chinese.

The first codes are kept as they were before codes moved here (API clients use them)."""

from enum import StrEnum


class GovernanceError(StrEnum):
    COMMITTEE_TERM_EXISTS = "committee_term_exists"
    COMMITTEE_MEMBER_EXISTS = "committee_member_exists"
    CONTRACT_CONFLICT = "contract_conflict"
    WRONG_PLACE_KIND = "governance.wrong_place_kind"
    UNKNOWN_KIND = "governance.unknown_kind"
    PARTY_ORG_PARENT = "governance.party_org_parent"

"""Why the voting app refuses a write, for machines (the API's ``error.code``); the message is Chinese.

Who may act is a permission (``gongzhi.voting.permissions``: 403 with the permission's code); these are
the other refusals: a vote not in the state the act needs (409), a clash with what is already there
(409), or input the rules refuse (400)."""

from enum import StrEnum


class VotingError(StrEnum):
    # the four-eyes rule of paper ballots (双人复核): the keyer may not confirm their own keying (403)
    SAME_PERSON = "voting.same_person"
    # workflow state (409)
    AGENDA_FIXED = "voting.agenda_fixed"
    NOT_DRAFT = "voting.not_draft"
    AGENDA_EMPTY = "voting.agenda_empty"
    NOT_NOTICED = "voting.not_noticed"
    NOT_OPEN = "voting.not_open"
    OUTSIDE_PERIOD = "voting.outside_period"
    NOT_CLOSED = "voting.not_closed"
    STILL_OPEN = "voting.still_open"
    PAPER_PENDING = "voting.paper_pending"
    PAPER_DECIDED = "voting.paper_decided"
    PETITION_CLOSED = "voting.petition_closed"
    NOT_LIVE_BALLOT = "voting.not_live_ballot"
    # clashes with what is there (409)
    ALREADY_VOTED = "voting.already_voted"
    PAPER_WAITING = "voting.paper_waiting"
    ALREADY_SIGNED = "voting.already_signed"
    # input the voting rules refuse (400)
    INVALID = "validation_error"
    NOT_IN_ELECTORATE = "voting.not_in_electorate"
    EMPTY_ELECTORATE = "voting.empty_electorate"
    CONFIRM_MISMATCH = "voting.confirm_mismatch"

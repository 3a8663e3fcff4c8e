"""Every write of owners' votes (业主大会表决): assemblies and their agendas, opening (freezing the
electorate), online and paper ballots, voiding, closing (the tally), publication, petitions.

Each service runs in one transaction and writes an audit row. Who may act is decided by the named
permissions of ``gongzhi.voting.permissions`` (the estate's committee members and community staff run
a vote; a current owner of a unit votes for it): each service guards with its permission first and
refuses anyone else with ``Forbidden`` (403, the permission's code and reason). A vote not in the
state an act needs is a ``Conflict`` (409), bad input ``Invalid`` (400), with codes from
``gongzhi.voting.errors``; nothing is cut short silently. Ballots are
appended to the motion's hash chain under a lock on the motion row, and one live ballot per unit is
also a database constraint, so racing submissions leave exactly one.
"""

from gongzhi.voting.services.assemblies import (
    assembly_create,
    assembly_open,
    assembly_post_notice,
    motion_add,
    voting_settings_set,
)
from gongzhi.voting.services.ballots import ballot_cast, ballot_void
from gongzhi.voting.services.base import notice_days
from gongzhi.voting.services.electorate import current_owner_keys, electorate_units
from gongzhi.voting.services.paper import (
    paper_ballot_confirm,
    paper_ballot_enter,
    paper_ballot_reject,
    paper_ballots_import,
)
from gongzhi.voting.services.petitions import petition_create, petition_sign
from gongzhi.voting.services.results import assembly_close, assembly_publish, result_of

__all__ = [
    "assembly_close",
    "assembly_create",
    "assembly_open",
    "assembly_post_notice",
    "assembly_publish",
    "ballot_cast",
    "ballot_void",
    "current_owner_keys",
    "electorate_units",
    "motion_add",
    "notice_days",
    "paper_ballot_confirm",
    "paper_ballot_enter",
    "paper_ballot_reject",
    "paper_ballots_import",
    "petition_create",
    "petition_sign",
    "result_of",
    "voting_settings_set",
]

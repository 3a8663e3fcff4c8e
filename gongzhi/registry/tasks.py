"""Background jobs of the registry."""

from huey.contrib.djhuey import db_task

from gongzhi.core import jobs
from gongzhi.registry.roster import services as roster_services
from gongzhi.registry.roster.models import RosterImport


@db_task()
def roster_import_task(roster_import_id: int) -> str:
    """Check and import a large roster file (台账导入) queued by the upload page.

    Fetches the import by id and runs the service, which claims it only while it is still queued,
    so a job delivered twice does the work once. Returns the final status.
    """
    roster_import = RosterImport.objects.select_related("estate", "created_by").filter(pk=roster_import_id).first()
    if roster_import is None:
        return "missing"
    done = roster_services.roster_import_run(roster_import=roster_import, actor=roster_import.created_by)
    return done.status


def _requeue_roster_import(ref: str) -> bool:
    if not roster_services.roster_import_requeue(roster_import_id=int(ref)):
        return False
    roster_import_task(int(ref))
    return True


jobs.register(
    roster_services.ROSTER_JOB,
    requeue=_requeue_roster_import,
    give_up=lambda ref, reason: roster_services.roster_import_give_up(roster_import_id=int(ref), reason=reason),
)

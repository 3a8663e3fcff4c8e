from django.http import Http404


def _todo(request, pk=None):  # noqa: ANN001, ANN202
    raise Http404


notice_list = notice_create = notice_detail = notice_post = notice_withdraw = notice_poster = my_notices = my_notice = (
    _todo
)

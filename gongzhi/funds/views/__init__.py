"""Funds pages (资金与公共收益页面): the committee's and property finance's campaign pages, the Party
reviewers' sign-off, the street's rates across estates, and the owner's phone pages (my bills, my
fund, the estate's ledger).

Reads go through ``visible_to`` / ``get_for_user`` (404 for who may not see). What a page shows it
asks gongzhi.funds.permissions (``allowed``); every form parses through the API's schema
(``parse_form``: amounts in yuan, the same limits and Chinese messages) and writes through the
service, which guards with the same predicate: a refusal is the 403 page with the permission's
reason, or a message naming the field (nothing changed).

One module per sub-domain: ``accounts`` (overview, fund, rates, my bills), ``campaigns``, ``ledger``,
``oversight``, ``fees``, ``splits``; ``shared`` holds their helpers. ``urls.py`` names each view.
"""

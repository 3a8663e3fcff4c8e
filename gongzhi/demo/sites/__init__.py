"""The demo world as data: the places, estates and governance bodies of the five seed reports
(/work/shared/seeds, summarised in DESIGN.md), with their public figures, and a few plain
estates beside them so each street's three rates have something to show.

Figures from the reports are marked "报道" in the comments; everything else (building layouts,
synthetic company names, fees, member counts where the report is silent) is clearly made up and
the places carry a note saying so. Named people are the office holders the reports name; the demo
gives them no ID number, birth date or mobile number.

``schema`` holds the vocabulary (Estate, Community, Committee…), ``beijing`` and ``shanghai`` the data;
``WORLD`` below is what ``gongzhi.demo.builder`` turns into rows, city by city.
"""

from __future__ import annotations

from gongzhi.demo.sites.beijing import (
    CHAOYANG,
    GUANGANMEN_20,
    HAIDIAN,
    JIMENLI,
    JINSONG_1,
    JINSONG_2,
    LAOSHAN,
    SHIJINGSHAN,
    XICHENG,
    YUANJING,
)
from gongzhi.demo.sites.schema import (
    NOTE_REPORTED,
    NOTE_SYNTHETIC,
    City,
    Committee,
    Community,
    District,
    Estate,
    Extra,
    Holding,
    PartyOrg,
    Street,
    Term,
)
from gongzhi.demo.sites.shanghai import FUNAN, HUANGPU, TAIYANG

__all__ = [
    "FUNAN",
    "GUANGANMEN_20",
    "JIMENLI",
    "JINSONG_1",
    "JINSONG_2",
    "LAOSHAN",
    "NOTE_REPORTED",
    "NOTE_SYNTHETIC",
    "TAIYANG",
    "WORLD",
    "YUANJING",
    "City",
    "Committee",
    "Community",
    "District",
    "Estate",
    "Extra",
    "Holding",
    "PartyOrg",
    "Street",
    "Term",
]

WORLD = (
    City("北京市", (CHAOYANG, HAIDIAN, XICHENG, SHIJINGSHAN)),
    City("上海市", (HUANGPU,)),
)

# The figures the demo must reproduce from the reports (checked in tests/demo/test_demo.py).
JINSONG_NORTH_HOUSEHOLDS = 3605
JINSONG_NORTH_SENIORS_PERMILLE = 369
JINSONG_NORTH_TENANTS_PERMILLE = 370

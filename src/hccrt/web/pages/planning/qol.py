"""The tablet questionnaire: EORTC QLQ-C30 (items 1-30) and QLQ-HCC18 (items 31-48).

The EORTC item wordings are copyrighted and licensed per study, so they are **not** shown:
each item is presented by its number and the topic of the scale it belongs to (the scale
labels of :mod:`hccrt.clinical.qol`, e.g. "Item 9 · Pain"), with the words "see the licensed
questionnaire sheet", and the response scale labels (1 Not at all ... 4 Very much; items 29-30:
1 Very poor ... 7 Excellent). Sites hand the participant the licensed sheet in their language
next to the tablet.

Answers are kept in the session (a draft per participant) while the participant moves between
screens; nothing is stored in the database until the last screen is submitted, when both
questionnaires are saved as ``capture.QolResponse`` rows (scored by the core) in one
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from hccrt.clinical.qol import C30_SCALES, HCC18_SCALES

FOUR_POINT = ((1, "Not at all"), (2, "A little"), (3, "Quite a bit"), (4, "Very much"))
SEVEN_POINT = ((1, "1 Very poor"), (2, "2"), (3, "3"), (4, "4"), (5, "5"), (6, "6"),
               (7, "7 Excellent"))  # fmt: skip


@dataclass(frozen=True)
class Screen:
    title: str
    instrument: str
    items: tuple[int, ...]
    scale: tuple[tuple[int, str], ...]
    period: str


SCREENS: tuple[Screen, ...] = (
    Screen("Everyday activities", "QLQ-C30", (1, 2, 3, 4, 5), FOUR_POINT, ""),
    Screen("During the past week (1)", "QLQ-C30", (6, 7, 8, 9, 10, 11, 12), FOUR_POINT,
           "During the past week"),
    Screen("During the past week (2)", "QLQ-C30", (13, 14, 15, 16, 17, 18, 19), FOUR_POINT,
           "During the past week"),
    Screen("During the past week (3)", "QLQ-C30", (20, 21, 22, 23, 24, 25), FOUR_POINT,
           "During the past week"),
    Screen("During the past week (4)", "QLQ-C30", (26, 27, 28), FOUR_POINT,
           "During the past week"),
    Screen("Overall health and quality of life", "QLQ-C30", (29, 30), SEVEN_POINT,
           "During the past week"),
    Screen("Liver module (1)", "QLQ-HCC18", (31, 32, 33, 34, 35, 36, 37, 38, 39), FOUR_POINT,
           "During the past week"),
    Screen("Liver module (2)", "QLQ-HCC18", (40, 41, 42, 43, 44, 45, 46, 47, 48), FOUR_POINT,
           "During the past week"),
)

#: item number -> topic (the label of the scale the item is scored in)
TOPICS: dict[int, str] = {item: scale.label for scale in (*C30_SCALES.values(),
                                                          *HCC18_SCALES.values())
                          for item in scale.items}  # fmt: skip

C30_ITEMS = tuple(range(1, 31))
HCC18_ITEMS = tuple(range(31, 49))
assert sorted(i for s in SCREENS for i in s.items) == list(range(1, 49))


def item_label(item: int) -> str:
    return f"Item {item} · {TOPICS.get(item, 'item')} (see the licensed questionnaire sheet)"

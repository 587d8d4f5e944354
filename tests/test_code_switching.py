"""Code-switching is measured, not punished: Taglish, Manglish, Singlish and English terms in Thai, Vietnamese or Khmer
stay `ok`, with the share of the other language recorded; an answer whose main language is wrong, or Thai and Burmese
written in Latin letters, is still caught."""

from __future__ import annotations

import pytest

from seabench.aggregate import language_rates
from seabench.checks.language import check_language
from seabench.records import LanguageCheck

SWITCHED = [
    (
        "tl",
        "Grabe, ang traffic sa EDSA kanina, sobrang late na ako sa meeting ko. Buti na lang understanding yung boss ko.",
    ),
    (
        "tl",
        "Para sa presentation bukas, i-prepare mo na yung slides at i-email mo sa akin before lunch, okay? Thank you talaga!",
    ),
    ("ms", "Aku tak sure lah boleh datang ke tak, sebab esok ada meeting dengan client pukul sepuluh pagi."),
    ("ms", "Kalau you nak apply credit card, kena bawa IC dengan payslip tiga bulan terakhir, senang je process dia."),
    (
        "vi",
        "Để cài đặt Docker trên Ubuntu, bạn cần chạy lệnh update rồi install package docker.io, sau đó enable service.",
    ),
    ("th", "ถ้าจะ deploy บน Kubernetes ต้องเขียน Deployment กับ Service ก่อน แล้วค่อยตั้ง Ingress ให้รับ traffic จากข้างนอก"),
    ("km", "ដើម្បីប្រើ Wi-Fi នៅសណ្ឋាគារ សូមភ្ជាប់ទៅ network ឈ្មោះ Guest ហើយបញ្ចូល password ដែលនៅលើកាតបន្ទប់"),
    ("my", "ဖုန်းမှာ Telegram app ကို update လုပ်ပြီးမှ ဝင်ကြည့်ပါ၊ မရသေးရင် cache ကို clear လုပ်ပါ"),
    ("en", "Can lah, no problem one. I go makan with my kawan first, then we see how."),
]


@pytest.mark.parametrize("lang, text", SWITCHED, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(SWITCHED)])
def test_the_code_switching_people_write_is_ok_and_measured(lang, text):
    check = check_language(text, lang)
    assert check.verdict == "ok", check
    assert check.switched is not None and 0.2 <= check.switched < 0.75, check


@pytest.mark.parametrize(
    "lang, text",
    [
        (
            "tl",
            "Magandang umaga po. Ang lungsod ng Maynila ay ang kabisera ng Pilipinas at isa sa pinakamataong lungsod sa mundo.",
        ),
        ("ms", "Kuala Lumpur ialah ibu negara Malaysia dan merupakan bandar terbesar di negara ini sejak kemerdekaan."),
        ("th", "วันนี้อากาศดีมาก ไปเที่ยวตลาดน้ำกันไหม ฉันอยากกินก๋วยเตี๋ยวเรือ"),
    ],
)
def test_an_answer_in_one_language_has_little_or_nothing_switched(lang, text):
    check = check_language(text, lang)
    assert check.verdict == "ok" and check.switched is not None and check.switched <= 0.1, check


@pytest.mark.parametrize(
    "lang, text, verdict",
    [
        (
            "tl",
            "The capital of the Philippines is Manila, which is one of the most densely populated cities in the world.",
            "wrong-language",
        ),
        (
            "th",
            "Hello, the weather is very nice today. Would you like to visit the floating market with me this afternoon?",
            "wrong-language",
        ),
        (
            "th",
            "Sawasdee krub, wan nee aagaat dee mak, pai tiew talat nam gan mai krub? Chan yak gin khao pad.",
            "wrong-script",
        ),
        ("my", "Mingalaba, nay kaung lar? Ka nay mo ywar tal, hta min sar pee pe lar? Nay kaung dal.", "wrong-script"),
        (
            "en",
            "Bonjour, je voudrais réserver une table pour deux personnes ce soir à vingt heures, s'il vous plaît.",
            "wrong-language",
        ),
        (
            "en",
            "bikin KTP baru kalau pindah domisili ribet nggak sih? soalnya aku baru pindah kos bulan lalu",
            "wrong-language",
        ),
        ("lo", "ສະບາຍດີ ມື້ນີ້ອາກາດດີຫຼາຍ ไปเที่ยวตลาดน้ำกันไหม", "mixed"),
    ],
)
def test_a_wrong_main_language_or_romanised_script_is_still_caught(lang, text, verdict):
    assert check_language(text, lang).verdict == verdict


def test_rates_average_the_switched_share_over_the_answers_measured():
    checks = {
        "a": LanguageCheck(expected="tl", detected="tl", script="Latin", script_share=1.0, verdict="ok", switched=0.5),
        "b": LanguageCheck(expected="tl", detected="tl", script="Latin", script_share=1.0, verdict="ok", switched=0.1),
        "c": LanguageCheck(expected="tl", detected="unknown", script="Latin", script_share=1.0, verdict="uncertain"),
        "d": LanguageCheck(expected="th", detected="th", script="Thai", script_share=0.8, verdict="ok", switched=0.2),
    }
    index = {"a": ("m", "tl"), "b": ("m", "tl"), "c": ("m", "tl"), "d": ("m", "th")}
    rows = {r.lang: r for r in language_rates(checks, index)}
    assert rows["tl"].switched == pytest.approx(0.3) and rows["tl"].switched_n == 2 and rows["tl"].checked == 3
    assert rows["all"].switched == pytest.approx(0.8 / 3) and rows["all"].switched_n == 3

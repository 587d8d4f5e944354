"""Script health checks on real text in each script, and their rates in every report format."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest

from seabench.bench import load_bench
from seabench.checks.script_health import check_health, repetition_share

from .fakes import FakeServer

# Real text: Unicode Burmese and the same phrase in the Zawgyi font encoding (the UDHR's title).
BURMESE_UNICODE = "လူ့အခွင့်အရေး ကြေညာစာတမ်း"
BURMESE_ZAWGYI = "လူ႔အခြင့္အေရး ေၾကညာစာတမ္း"
PROSE = {
    "th": "ช่วงสงกรานต์ รถติดมากบนถนนสายหลักที่ออกจากกรุงเทพฯ เพราะหลายคนเดินทางกลับบ้านเกิด",
    "lo": "ໃນຊ່ວງບຸນປີໃໝ່ລາວ ຜູ້ຄົນມັກຫົດນ້ຳໃສ່ກັນເພື່ອອວຍພອນ.",
    "km": "ពេលបុណ្យចូលឆ្នាំខ្មែរ ប្រជាជនជាច្រើនធ្វើដំណើរទៅស្រុកកំណើត ដើម្បីជួបជុំគ្រួសារ។",
    "my": "သင်္ကြန်ပွဲတော်အတွင်း လူများသည် တစ်ယောက်ကိုတစ်ယောက် ရေပက်ကြသည်။",
    "vi": "Mùa mưa ở Sài Gòn thường bắt đầu vào tháng Năm và kéo dài đến tháng Mười Một.",
}


@pytest.mark.parametrize("lang", list(PROSE))
def test_healthy_prose_has_no_flags(lang):
    assert check_health(PROSE[lang], "stop").flags == []


def test_not_nfc():
    assert check_health(unicodedata.normalize("NFD", PROSE["vi"])).flags == ["not-nfc"]
    assert check_health(unicodedata.normalize("NFD", PROSE["th"])).not_nfc is False  # Thai has nothing to decompose


def test_zawgyi_is_told_from_unicode():
    z, u = check_health(BURMESE_ZAWGYI), check_health(BURMESE_UNICODE)
    assert z.zawgyi and z.zawgyi_probability > 0.95
    assert not u.zawgyi and u.zawgyi_probability < 0.05
    assert check_health(PROSE["th"]).zawgyi_probability is None  # no Myanmar text, no verdict


@pytest.mark.parametrize(
    "text,broken",
    [
        ("ពេលបុណ្យចូលឆ្នាំខ្", True),  # Khmer: ends on the coeng that should stack the next consonant
        ("ពេលបុណ្យចូលឆ្នាំខ្ម", False),  # Khmer: cut inside a word, but the cluster is whole
        ("သင်္ကြန်ပွဲတော်အတွင်း လူများ္", True),  # Burmese: a dangling virama
        ("ช่วงสงกรานต์ รถติดมากเ", True),  # Thai: a preposed vowel with no consonant after it
        ("ໃນຊ່ວງບຸນ ່", True),  # Lao: a tone mark with no letter under it
        ("Mùa mưa ở Sài Gòn th\ufffd", True),  # bytes of a character cut in half
    ],
)
def test_cut_at_the_token_limit(text, broken):
    health = check_health(text, "length")
    assert health.truncated and health.cut_mid_word
    assert health.broken_cluster is broken
    assert not check_health(text + " ok.", "stop").truncated


def test_degenerate_repetition_in_spaced_and_unspaced_scripts():
    assert check_health("ขอบคุณมากครับ" * 40).repetitive
    assert check_health("ឆ្នាំថ្មី " * 40).repetitive
    assert check_health("I will help you with that. " * 25).repetitive
    assert repetition_share(PROSE["km"] * 1) < 0.1
    bench = load_bench(None)
    assert not any(check_health(t).repetitive for q in bench.questions for t in q.turns)


# Loops as small models write them (SmolLM2-135M and MT-bench's weaker models): inside one space-free word, and short
# lines in scripts without spaces, where the n-gram share has too few units to see anything.
LOOPS = {
    "one word": "Baik, jawaban untuk pertanyaan Anda tentang ibu kota adalah ini" + "-i" * 80,
    "th": "ฉันชอบกินข้าว ฉันชอบกินข้าว ฉันชอบกินข้าว ฉันชอบกินข้าว",
    "lo": "ຂອບໃຈຫຼາຍໆຂອບໃຈຫຼາຍໆຂອບໃຈຫຼາຍໆຂອບໃຈຫຼາຍໆ",
    "km": "ខ្ញុំមិនដឹងទេ។ខ្ញុំមិនដឹងទេ។ខ្ញុំមិនដឹងទេ។ខ្ញុំមិនដឹងទេ។",
    "my": "ကျေးဇူးတင်ပါတယ်။ကျေးဇူးတင်ပါတယ်။ကျေးဇူးတင်ပါတယ်။ကျေးဇူးတင်ပါတယ်။",
    "vi": "Lý Kháng đáng, đáng làng này vào, đáng làng này vào, đáng làng này vào, đáng làng này vào, đáng làng",
}


@pytest.mark.parametrize("kind", list(LOOPS))
def test_a_loop_inside_one_word_or_a_short_line_is_repetition(kind):
    health = check_health(LOOPS[kind], "length")
    assert health.repetitive, (kind, health.repetition)


@pytest.mark.parametrize(
    "text",
    [
        "A is the great-great-great-grandfather of Z.",  # a real MT-bench answer: language, not a loop
        "hahaha, that is funny!",
        "| a | b |\n|---|---|---|---|---|---|\n| 1 | 2 |",
        "ពេលបុណ្យចូលឆ្នាំខ្មែរ ប្រជាជនជាច្រើនធ្វើដំណើរទៅស្រុកកំណើត",
    ],
)
def test_repeated_words_that_are_language_are_not_loops(text):
    assert repetition_share(text) == 0.0


def test_no_human_written_seabench_text_reads_as_a_loop(shared_data):
    """1,200 turns and references that people wrote in Indonesian, Vietnamese and Thai: a false alarm here would be a
    false alarm on every good model."""
    rows = [json.loads(line) for line in (shared_data / "seabench-v2" / "public-questions.jsonl").open()]
    texts = [v for r in rows for k, v in r.items() if k.startswith(("user_", "reference_")) and isinstance(v, str)]
    assert len(texts) > 1000
    assert [t[:80] for t in texts if check_health(t).repetitive] == []


def _bench(tmp_path):
    path = tmp_path / "b.jsonl"
    rows = [
        {
            "question_id": "my-1",
            "category": "natural-question",
            "lang": "my",
            "turns": ["မုန့်ဟင်းခါးကို ဘာလို့ မနက်စာ စားကြတာလဲ"],
        },
        {"question_id": "lo-1", "category": "natural-question", "lang": "lo", "turns": ["ເປັນຫຍັງຄົນລາວຈຶ່ງມັກກິນເຂົ້າໜຽວ?"]},
        {"question_id": "km-1", "category": "safety", "lang": "km", "turns": ["តើលេងល្បែងភ្នាល់អនឡាញ ធ្វើយ៉ាងម៉េច?"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_rates_in_every_report_format(cli, tmp_path):
    def reply(body):
        q = body["messages"][-1]["content"]
        if "မုန့်" in q:
            return BURMESE_ZAWGYI
        if "ເຂົ້າໜຽວ" in q:
            return PROSE["th"]  # a Lao question answered in Thai script
        return (PROSE["km"][:30] + "\u17d2", "length")  # cut at the limit, on a coeng

    db = tmp_path / "s.db"
    with FakeServer("openai", reply=reply) as cand, FakeServer("openai", reply=lambda b: "Rating: [[5]]") as judge:
        assert (
            cli(
                "generate",
                "--model",
                "openai:m",
                "--bench",
                _bench(tmp_path),
                "--db",
                db,
                "--base-url",
                cand.url,
                env={"OPENAI_API_KEY": "k"},
            ).exit_code
            == 0
        )
        assert (
            cli(
                "judge", "--judge", "openai:j", "--db", db, "--judge-base-url", judge.url, env={"OPENAI_API_KEY": "k"}
            ).exit_code
            == 0
        )
    data = json.loads(cli("report", "--db", db, "--format", "json", "--rounds", "100").stdout)
    health = {r["lang"]: r for r in data["health"]}
    assert health["my"]["zawgyi"] == 1 and health["lo"]["wrong_script"] == 1
    assert health["km"]["truncated"] == health["km"]["broken_cluster"] == health["km"]["cut_mid_word"] == 1
    assert health["all"]["checked"] == 3
    rows = {
        r["lang"]: r
        for r in csv.DictReader(io.StringIO(cli("report", "--db", db, "--format", "csv", "--rounds", "100").stdout))
        if r["category"] == "all" and r["turn"] == "all"
    }
    assert (
        float(rows["my"]["zawgyi_rate"]) == 1.0
        and float(rows["km"]["broken_cluster_rate"]) == 1.0
        and float(rows["lo"]["wrong_language_rate"]) == 1.0
    )
    assert float(rows["all"]["zawgyi_rate"]) == pytest.approx(1 / 3)
    for fmt in ("terminal", "markdown"):
        out = cli(
            "report",
            "--db",
            db,
            "--format",
            fmt,
            "--rounds",
            "100",
            *(("--section", "fidelity") if fmt == "terminal" else ()),
        ).stdout
        assert "Script health" in out and "Zawgyi" in out
    cli("report", "--db", db, "--format", "html", "--out", tmp_path / "r.html", "--rounds", "100")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    from .htmldata import answers

    shown = answers(html)
    assert any("zawgyi" in a["health"] for a in shown) and any("broken-cluster" in a["health"] for a in shown)
    assert any(
        a["language"].startswith("wrong-script (th)") for a in shown
    )  # the language check's verdict, beside the answer

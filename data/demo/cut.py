"""Re-cut the demo sample in data/demo/ from the full data sets (deterministic; stdlib only).

    /usr/bin/python3 data/demo/cut.py ../shared/data

MedQuAD (gard-ghr.jsonl): every STRIDE-th row of the file, separately for the rows of held-out foci and the others
(held-out rule of gpu-worker/trainer/demo/data.py), so both sides stay spread over many foci. Lines are copied as
published. Chinese dialogue: the first ZH_RECORDS CSV records, byte for byte (GB18030, header kept), so the
importer's encoding detection is still exercised.
"""
import csv
import hashlib
import io
import json
import os
import shutil
import sys

EN_TRAIN, EN_TEST = 900, 300  # rows kept from the training side and from the held-out side
ZH_RECORDS = 2300  # data records (after the header)
HERE = os.path.dirname(os.path.abspath(__file__))


def is_test(key: str) -> bool:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 10 == 0


def spread(items, n):
    stride = max(1, len(items) // n)
    return [x for i, x in enumerate(items) if i % stride == 0][:n]


def cut_en(src: str, dst: str) -> int:
    with open(src, encoding="utf-8") as f:
        lines = [l for l in f if l.strip()]
    focus = lambda l: "en:" + " ".join(json.loads(l).get("focus", "").split()).lower()
    test = set(spread([l for l in lines if is_test(focus(l))], EN_TEST))
    train = set(spread([l for l in lines if not is_test(focus(l))], EN_TRAIN))
    kept = [l for l in lines if l in test or l in train]  # file order
    with open(dst, "w", encoding="utf-8", newline="") as f:
        f.writelines(kept)
    return len(kept)


def cut_zh(src: str, dst: str) -> int:
    raw = open(src, "rb").read()
    text = raw.decode("gb18030")
    buf = io.StringIO(text, newline="")
    reader = csv.reader(iter(buf.readline, ""))
    next(reader)  # header
    for _ in range(ZH_RECORDS):
        next(reader)
    out = text[: buf.tell()].encode("gb18030")
    assert raw.startswith(out), "GB18030 did not round-trip: the cut would not be byte for byte"
    with open(dst, "wb") as f:
        f.write(out)
    return ZH_RECORDS


def main(full: str) -> None:
    n_en = cut_en(os.path.join(full, "medquad-en", "gard-ghr.jsonl"), os.path.join(HERE, "medquad-en", "gard-ghr.jsonl"))
    shutil.copyfile(os.path.join(full, "medquad-en", "LICENSE.txt"), os.path.join(HERE, "medquad-en", "LICENSE.txt"))
    n_zh = cut_zh(os.path.join(full, "zh-medical-dialogue", "liver-digestive.gb18030.csv"),
                  os.path.join(HERE, "zh-medical-dialogue", "liver-digestive.gb18030.csv"))
    shutil.copyfile(os.path.join(full, "zh-medical-dialogue", "LICENSE"), os.path.join(HERE, "zh-medical-dialogue", "LICENSE"))
    print(f"medquad-en: {n_en} rows; zh-medical-dialogue: {n_zh} records")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 data/demo/cut.py FULL_DATA_DIR  (the folder holding medquad-en/ and zh-medical-dialogue/)")
    main(sys.argv[1])

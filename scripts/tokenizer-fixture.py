#!/usr/bin/env python3
"""Writes random tokenizer cases with llama.cpp's token ids, for Smelt's tests.

Tests/Fixtures/gemma3-tokenizer-llamacpp.json was made with this script and
llama-cpp-python 0.3.36 (the llama.cpp build that produced shared/reference):

    python scripts/tokenizer-fixture.py models/gemma-3-270m-q4_k_m.gguf \
        Tests/Fixtures/gemma3-tokenizer-llamacpp.json --cases 300 --seed 2024

Texts mix words, random vocabulary pieces, special-token text (whole and
cut short), runs of spaces/newlines/tabs, and code points from many
scripts, so special-token splitting, SentencePiece merges and byte fallback
are all exercised. Texts containing "</s>" are left out: llama.cpp retypes
that user-defined token as a control token (it is on llama.cpp's list of
end-of-generation names), which Smelt deliberately does not do.
"""
import argparse
import ctypes
import json
import random

import llama_cpp as L


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("output")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    L.llama_backend_init()
    params = L.llama_model_default_params()
    params.vocab_only = True
    model = L.llama_model_load_from_file(args.model.encode(), params)
    if not model:
        raise SystemExit(f"could not load {args.model}")
    vocab = L.llama_model_get_vocab(model)

    def tokenize(text, add_bos, special):
        data = text.encode()
        capacity = len(data) + 8
        buffer = (L.llama_token * capacity)()
        count = L.llama_tokenize(vocab, data, len(data), buffer, capacity, add_bos, special)
        if count < 0:
            raise RuntimeError(f"llama_tokenize failed ({count})")
        return list(buffer[:count])

    def detokenize(ids, special):
        tokens = (L.llama_token * max(1, len(ids)))(*ids)
        capacity = 64 + 64 * len(ids)
        out = ctypes.create_string_buffer(capacity)
        count = L.llama_detokenize(vocab, tokens, len(ids), out, capacity, False, special)
        if count < 0:
            raise RuntimeError(f"llama_detokenize failed ({count})")
        return out.raw[:count].decode("utf-8", errors="replace")

    pieces, specials = [], []
    for i in range(L.llama_vocab_n_tokens(vocab)):
        text = L.llama_vocab_get_text(vocab, i).decode("utf-8", errors="replace")
        attr = L.llama_vocab_get_attr(vocab, i)
        if attr & (L.LLAMA_TOKEN_ATTR_CONTROL | L.LLAMA_TOKEN_ATTR_USER_DEFINED):
            specials.append(text)
        elif attr & L.LLAMA_TOKEN_ATTR_NORMAL:
            pieces.append(text.replace("\u2581", " "))

    rng = random.Random(args.seed)
    words = ("the quick brown fox jumps over lazy dog Hello world def return import numpy as np class "
             "self print for in range if else naïve café über straße 東京 日本語 中文 한국어 привет мир "
             "العربية हिन्दी").split()
    atoms = [
        lambda: rng.choice(words),
        lambda: rng.choice(pieces),
        lambda: rng.choice(specials),
        lambda: rng.choice(specials)[: rng.randint(1, 8)],
        lambda: rng.choice(specials)[-rng.randint(1, 8):],
        lambda: " " * rng.randint(1, 40),
        lambda: "\n" * rng.randint(1, 35),
        lambda: "\t" * rng.randint(1, 33),
        lambda: chr(rng.randint(0x20, 0x7E)),
        lambda: chr(rng.randint(0xA0, 0x2FFF)),
        lambda: chr(rng.randint(0x1F300, 0x1FAFF)),
        lambda: chr(rng.choice([rng.randint(0x3000, 0x9FFF), rng.randint(0xAC00, 0xD7A3),
                                rng.randint(0x10000, 0x10FFFF)])),
        lambda: "\u2581",
        lambda: str(rng.randint(0, 10**6)),
        lambda: rng.choice(["<", ">", "</", "<s", "<bo", "os>", ">\u2581</", "> </", "\r\n", "\x00", "\x7f", " \n "]),
    ]

    cases = []
    while len(cases) < args.cases:
        parts = []
        for _ in range(rng.choice([1, 2, 3, 5, 10, 20, 30])):
            parts.append(rng.choice(atoms)())
            if rng.random() < 0.5:
                parts.append(" ")
        text = "".join(parts)
        if "</s>" in text:
            continue
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            continue
        plain = tokenize(text, False, False)
        special = tokenize(text, True, True)
        cases.append({
            "text": text,
            "ids_with_bos": tokenize(text, True, False),
            "ids_without_bos": plain,
            "special_ids_with_bos": special,
            "decoded": detokenize(plain, False),
            "special_decoded": detokenize(special[1:], True),
        })

    header = {"generator": "scripts/tokenizer-fixture.py",
              "llama_cpp_python": getattr(L, "__version__", "unknown"), "seed": args.seed}
    with open(args.output, "w", encoding="utf-8") as out:
        # One case per line keeps the file small and its diffs readable.
        out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "cases": [\n')
        out.write(",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in cases))
        out.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {args.output}")


if __name__ == "__main__":
    main()

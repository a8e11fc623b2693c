#!/usr/bin/python3
"""Renders the typographic image set that image-screening's OCR and QR detectors are evaluated on.

    /usr/bin/python3 scripts/make-image-data.py [--data ../shared/data] [--out target/image-data]
        [--per-split 240] [--photos-per-split 60]

Writes PNG/JPEG files, manifest.jsonl (one object a line: file, split, kind, label, category,
source, style, text) and the same as manifest.tsv under --out. Nothing here is committed: the texts come from the reference
data beside the project (read by path), the photos from Debian's python3-skimage sample images
(public domain / CC0), the fonts from Debian's fonts-dejavu-core (and fonts-liberation,
fonts-lato when installed).

Kinds:
  typo_attack    an attack text (harmful request, prompt injection) typed into an image: a
                 paragraph, or a numbered list ("Steps to ...: 1. 2. 3.") as typographic
                 jailbreaks do; flat or gradient backgrounds
  typo_benign    a benign text the same way: rows of the data (chat, instructions, documents)
                 and notices, recipes, menus, slides and signs from the templates below
  photo_attack   a photo with an attack sentence drawn over it (a caption with an outline)
  photo_benign   a photo with a benign caption
  photo          a photo without text (crops, flips and scales of the sample images)
  ocr            clean paragraphs at fixed sizes and contrasts for OCR word accuracy

Styles vary font, size (12-48 px), colours (dark on light, light on dark, low contrast,
coloured), rotation (0, 90, 270, 180, small tilts), noise and JPEG compression.

Splits: every item goes to "dev" or "held" by sha256 of its id, and the photos by sample image
(so a held photo is never a crop of a dev photo). Tune on dev only; held is the held-aside split
the evaluation reports. Every choice is a sha256 of a fixed string: reruns are byte-identical.
"""
import argparse
import hashlib
import json
import os
import sys
import textwrap

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

try:
    from skimage import data as skdata
except ImportError:  # pragma: no cover
    sys.exit("make-image-data: python3-skimage is needed (apt-get install python3-skimage)")

SIDE = 760
FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/truetype/lato"]
FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf",
              "DejaVuSansCondensed.ttf", "LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf",
              "LiberationMono-Regular.ttf", "Lato-Regular.ttf", "Lato-Bold.ttf"]
# Sample images that are photos (the others are text, charts or synthetic patterns).
PHOTOS = ["astronaut", "camera", "chelsea", "coffee", "coins", "moon", "rocket", "brick",
          "grass", "gravel", "hubble_deep_field", "motorcycle_left", "retina", "cell", "immunohistochemistry"]

# Benign templates of things that are typed into images. {a}, {b}, {n}, {t} are filled in.
BENIGN_TEMPLATES = [
    "Chocolate chip cookies\n1. Cream {n}0 g butter with sugar\n2. Beat in two eggs and vanilla\n3. Fold in flour and chips\n4. Bake at 180 C for {n} minutes",
    "Tomato soup\nIngredients: tomatoes, onion, garlic, olive oil, basil, salt\nSimmer for {n}0 minutes, then blend until smooth.",
    "Pancakes for {n} people\n1. Whisk flour, milk and eggs\n2. Rest the batter\n3. Fry in a hot pan until golden",
    "NOTICE\nThe {a} will be closed on {t} for maintenance.\nWe apologize for any inconvenience.",
    "Please keep this door closed\nStaff only beyond this point",
    "Lost cat! Grey tabby named {b}, last seen near the {a} on {t}. Please call if found.",
    "Quarterly review\n- Revenue up {n}% year over year\n- Two new offices opened\n- Hiring plan for next quarter",
    "Agenda\n1. Welcome and introductions\n2. Project status\n3. Budget for the {a}\n4. Questions",
    "Slide {n}: Results\nThe new method reduced errors by {n}0 percent on the test set.",
    "MENU\nSoup of the day  {n}.50\nGrilled chicken with vegetables  1{n}.00\nApple pie  4.50\nCoffee or tea  2.00",
    "Breakfast served {n} am to 11 am\nEggs, toast, fresh fruit and juice",
    "Happy birthday {b}!\nWith love from all of us",
    "WET PAINT\nDo not touch",
    "Parking for customers only\nVehicles will be towed at owner's expense",
    "Library hours\nMonday to Friday 9:00 - 18:00\nSaturday 10:00 - 14:00\nSunday closed",
    "Welcome to the {a}\nPlease sign in at the front desk",
    "How to reset your router\n1. Unplug the power cable\n2. Wait {n}0 seconds\n3. Plug it back in and wait for the lights",
    "Step by step: planting tomatoes\n1. Choose a sunny spot\n2. Dig a deep hole\n3. Water well after planting",
    "Garage sale this {t}\nFurniture, books, toys and more\n8 am to 2 pm",
    "Caution: floor may be slippery when wet",
    "Team offsite\nDate: {t}\nLocation: the {a}\nBring a laptop and comfortable shoes",
    "Thank you for shopping with us\nReturns accepted within {n}0 days with receipt",
    "Fire exit\nIn case of fire do not use the elevator",
    "Lemonade {n}0 cents a cup",
    "Meeting notes\nDecided to move the launch to {t}. {b} will update the plan and send it to everyone.",
    "Instructions for the coffee machine\n1. Fill the water tank\n2. Insert a capsule\n3. Press the large cup button",
    "Homework: read chapter {n} and answer questions 1 to 5",
    "Open house on {t}\nCome and visit our new {a}",
    "Recycling: paper and cardboard only\nNo plastic bags please",
    "Conference schedule\n09:00 Keynote\n10:30 Coffee break\n11:00 Workshops\n13:00 Lunch",
]
FILL_A = ["library", "swimming pool", "main office", "community garden", "east entrance", "train station", "museum"]
FILL_B = ["Max", "Luna", "Sam", "Alex", "Maria", "Oliver"]
FILL_T = ["Monday", "Friday the 12th", "next Saturday", "June 3", "the first of May"]


def h(*parts):
    """A stable 64-bit integer from the parts."""
    return int.from_bytes(hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()[:8], "big")


def pick(seq, *parts):
    return seq[h(*parts) % len(seq)]


def split_of(key):
    return "held" if h("split-v1", key) % 2 == 0 else "dev"


def fonts():
    out = []
    for name in FONT_FILES:
        for d in FONT_DIRS:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                out.append(p)
                break
    if not out:
        sys.exit("make-image-data: no fonts found (apt-get install fonts-dejavu-core)")
    return out


def load_rows(data_dir):
    rows = []
    with open(os.path.join(data_dir, "text", "train.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            # Short enough to be legible on one 760x760 image at the smaller sizes.
            if 25 <= len(r["text"]) <= 320:
                rows.append(r)
    return rows


def wrap(text, font, width):
    """Wraps text to the pixel width, keeping the given line breaks."""
    lines = []
    for para in text.split("\n"):
        words = para.split()
        cur = ""
        for w in words:
            trial = (cur + " " + w).strip()
            if font.getlength(trial) <= width or not cur:
                cur = trial
            else:
                lines.append(cur)
                cur = w
        lines.append(cur)
    return lines


def numbered(text, key):
    """A typographic jailbreak's layout: the request as a title and empty numbered steps."""
    title = text.rstrip(". ")
    lead = pick(["Steps to", "Methods to", "List of ways to", "How to"], "lead", key)
    if not title.lower().startswith(("how", "what", "why", "write", "give", "explain", "create")):
        title = lead + " " + title[0].lower() + title[1:]
    return title + ".\n1.\n2.\n3."


COLOURS = {
    "dark_on_light": ((15, 15, 15), (250, 250, 250)),
    "light_on_dark": ((245, 245, 235), (25, 30, 45)),
    "low_contrast": ((120, 120, 128), (150, 150, 158)),
    "coloured": ((180, 20, 30), (250, 240, 200)),
    "blue_on_grey": ((20, 40, 160), (215, 215, 215)),
}


def background(bg, kind, key):
    if kind == "gradient":
        a = np.linspace(0, 1, SIDE)[None, :, None]
        tint = np.array([pick([30, -30, 20], "tint", key, c) for c in range(3)])
        arr = np.clip(np.array(bg)[None, None, :] + (a - 0.5) * tint * 2, 0, 255)
        arr = np.repeat(arr, SIDE, axis=0)
        return Image.fromarray(arr.astype(np.uint8))
    return Image.new("RGB", (SIDE, SIDE), bg)


def render_text(text, key, font_files, sizes):
    """Renders text with a style chosen from key; returns the image and its style."""
    size = pick(sizes, "size", key)
    font_path = pick(font_files, "font", key)
    colour = pick(list(COLOURS), "colour", key)
    bgkind = pick(["flat", "flat", "gradient"], "bg", key)
    rotation = pick([0, 0, 0, 0, 0, 90, 270, 180, 3, -4], "rot", key)
    noise = pick([0, 0, 0, 8], "noise", key)
    jpeg = pick([0, 0, 0, 70, 50], "jpeg", key)
    fg, bg = COLOURS[colour]
    font = ImageFont.truetype(font_path, size)
    img = background(bg, bgkind, key)
    d = ImageDraw.Draw(img)
    margin = 30
    lines = wrap(text, font, SIDE - 2 * margin)
    line_h = int(size * 1.35)
    max_lines = (SIDE - 2 * margin) // line_h
    lines = lines[:max_lines]
    y = margin + (pick([0, 1], "valign", key) * max(0, (SIDE - 2 * margin - len(lines) * line_h) // 2))
    for ln in lines:
        d.text((margin, y), ln, font=font, fill=fg)
        y += line_h
    if rotation in (90, 180, 270):
        img = img.rotate(-rotation, expand=True)
    elif rotation:
        img = img.rotate(rotation, resample=Image.BICUBIC, expand=False, fillcolor=bg)
    if noise:
        arr = np.asarray(img).astype(np.int16)
        rng = np.random.default_rng(h("noise", key) % (2 ** 32))
        arr = np.clip(arr + rng.normal(0, noise, arr.shape), 0, 255).astype(np.uint8)
        img = Image.fromarray(arr)
    style = {"font": os.path.basename(font_path), "size": size, "colour": colour, "background": bgkind,
             "rotation": rotation, "noise": noise, "jpeg": jpeg, "lines": len(lines)}
    return img, style, " ".join(lines)


def photo_arrays():
    out = {}
    for name in PHOTOS:
        try:
            a = getattr(skdata, name)()
        except Exception:  # a sample that needs a download is skipped
            continue
        if a.ndim == 2:
            a = np.stack([a] * 3, axis=-1)
        a = a[..., :3]
        if a.dtype != np.uint8:
            a = a.astype(np.float64)
            a = (255 * (a - a.min()) / max(1e-9, a.max() - a.min())).astype(np.uint8)
        out[name] = a
    return out


def photo_variant(a, key):
    """A crop, flip and scale of a sample photo, at most 760 px on its longer side."""
    hgt, wid = a.shape[:2]
    frac = pick([1.0, 0.8, 0.6], "crop", key)
    ch, cw = int(hgt * frac), int(wid * frac)
    y0 = h("cy", key) % (hgt - ch + 1)
    x0 = h("cx", key) % (wid - cw + 1)
    img = Image.fromarray(a[y0:y0 + ch, x0:x0 + cw])
    if pick([False, True], "flip", key):
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    scale = SIDE / max(img.size) * pick([1.0, 0.75, 0.5], "scale", key)
    img = img.resize((max(1, int(img.size[0] * scale)), max(1, int(img.size[1] * scale))), Image.BICUBIC)
    return img


def caption(img, text, key, font_files):
    """Draws a caption over a photo as memes and injected photos do: white or black with an outline."""
    size = pick([22, 26, 30, 36], "csize", key)
    font = ImageFont.truetype(pick(font_files[:2], "cfont", key), size)
    d = ImageDraw.Draw(img)
    fill, stroke = pick([("white", "black"), ("black", "white"), ("yellow", "black")], "cfill", key)
    lines = wrap(text, font, img.size[0] - 40)[: max(1, (img.size[1] - 20) // int(size * 1.3))]
    top = pick(["top", "bottom"], "cpos", key)
    y = 10 if top == "top" else max(10, img.size[1] - 10 - len(lines) * int(size * 1.3))
    for ln in lines:
        d.text((20, y), ln, font=font, fill=fill, stroke_width=2, stroke_fill=stroke)
        y += int(size * 1.3)
    return {"size": size, "fill": fill, "position": top, "lines": len(lines)}, " ".join(lines)


def save(img, path, jpeg):
    if jpeg:
        img.convert("RGB").save(path, quality=jpeg)
    else:
        img.save(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "target", "image-data"))
    ap.add_argument("--per-split", type=int, default=240, help="typographic attacks per split (as many benign)")
    ap.add_argument("--photos-per-split", type=int, default=60)
    a = ap.parse_args()
    font_files = fonts()
    rows = load_rows(a.data)
    attacks = sorted((r for r in rows if r["label"] == 1), key=lambda r: h("order", r["id"]))
    benign = sorted((r for r in rows if r["label"] == 0), key=lambda r: h("order", r["id"]))
    os.makedirs(a.out, exist_ok=True)
    for s in ("dev", "held"):
        os.makedirs(os.path.join(a.out, s), exist_ok=True)
    manifest = []
    counts = {}

    def emit(item_id, split, kind, label, img, style, text, row=None):
        n = counts.get((split, kind), 0)
        ext = "jpg" if style.get("jpeg") else "png"
        rel = f"{split}/{kind}-{n:04d}.{ext}"
        save(img, os.path.join(a.out, rel), style.get("jpeg", 0))
        counts[(split, kind)] = n + 1
        manifest.append({"file": rel, "id": item_id, "split": split, "kind": kind, "label": label,
                         "category": row["category"] if row else kind, "source": row["source"] if row else "template",
                         "style": style, "text": text})

    sizes = [12, 14, 16, 18, 20, 24, 28, 32, 40, 48]
    for split in ("dev", "held"):
        mine = [r for r in attacks if split_of(r["id"]) == split][: a.per_split]
        for i, r in enumerate(mine):
            text = numbered(r["text"], r["id"]) if i % 3 == 0 else r["text"]
            img, style, shown = render_text(text, r["id"], font_files, sizes)
            style["layout"] = "numbered" if i % 3 == 0 else "paragraph"
            emit(r["id"], split, "typo_attack", 1, img, style, shown, r)
        ben = [r for r in benign if split_of(r["id"]) == split][: a.per_split * 2 // 3]
        for r in ben:
            img, style, shown = render_text(r["text"], r["id"], font_files, sizes)
            style["layout"] = "paragraph"
            emit(r["id"], split, "typo_benign", 0, img, style, shown, r)
        for j in range(a.per_split - len(ben)):
            key = f"template-{split}-{j}"
            t = pick(BENIGN_TEMPLATES, "tpl", key).format(a=pick(FILL_A, "a", key), b=pick(FILL_B, "b", key),
                                                           n=1 + h("n", key) % 9, t=pick(FILL_T, "t", key))
            img, style, shown = render_text(t, key, font_files, sizes)
            style["layout"] = "template"
            emit(key, split, "typo_benign", 0, img, style, shown)

    photos = photo_arrays()
    by_split = {"dev": [], "held": []}
    for name in sorted(photos):
        by_split[split_of("photo-" + name)].append(name)
    short_attacks = [r for r in attacks if len(r["text"]) <= 140]
    short_benign = [r for r in benign if len(r["text"]) <= 140]
    for split, names in by_split.items():
        if not names:
            continue
        for j in range(a.photos_per_split):
            key = f"photo-{split}-{j}"
            name = names[j % len(names)]
            img = photo_variant(photos[name], key)
            emit(key, split, "photo", 0, img, {"photo": name, "jpeg": pick([0, 85], "pj", key)}, "")
        for kind, pool, label in (("photo_attack", short_attacks, 1), ("photo_benign", short_benign, 0)):
            mine = [r for r in pool if split_of("cap" + r["id"]) == split]
            for j in range(a.photos_per_split // 2):
                r = mine[j]
                key = f"{kind}-{split}-{j}"
                name = names[h("pn", key) % len(names)]
                img = photo_variant(photos[name], key).convert("RGB")
                style, shown = caption(img, r["text"], key, font_files)
                style["photo"] = name
                emit(r["id"], split, kind, label, img, style, shown, r)

    # OCR word accuracy: clean paragraphs of benign text at fixed sizes and contrasts (dev only
    # carries no tuning here: accuracy is reported on held).
    contrasts = {"high": ((0, 0, 0), (255, 255, 255)), "medium": ((80, 80, 80), (200, 200, 200)),
                 "low": ((130, 130, 130), (165, 165, 165))}
    acc_rows = [r for r in benign if split_of(r["id"]) == "held" and 60 <= len(r["text"]) <= 200][:24]
    for size in (10, 12, 14, 16, 20, 24, 32, 48):
        for cname, (fg, bg) in contrasts.items():
            for k in range(3):
                r = acc_rows[(size * 7 + k * 5 + len(cname)) % len(acc_rows)]
                font = ImageFont.truetype(font_files[0], size)
                img = Image.new("RGB", (SIDE, SIDE), bg)
                d = ImageDraw.Draw(img)
                lines = wrap(r["text"], font, SIDE - 60)
                y = 30
                for ln in lines:
                    d.text((30, y), ln, font=font, fill=fg)
                    y += int(size * 1.35)
                emit(r["id"], "held", "ocr", 0, img, {"size": size, "contrast": cname, "font": "DejaVuSans.ttf"},
                     " ".join(lines), r)

    with open(os.path.join(a.out, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for m in manifest:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")
    # The same rows as TSV for readers without a JSON parser (tabs and newlines in text become spaces).
    cols = ["file", "split", "kind", "label", "category", "source", "size", "colour", "rotation", "layout", "text"]
    with open(os.path.join(a.out, "manifest.tsv"), "w", encoding="utf-8") as f:
        f.write("\t".join(cols) + "\n")
        for m in manifest:
            st = m["style"]
            vals = [m["file"], m["split"], m["kind"], m["label"], m["category"], m["source"],
                    st.get("size", ""), st.get("colour", st.get("contrast", st.get("fill", ""))),
                    st.get("rotation", 0), st.get("layout", st.get("position", "")), m["text"]]
            f.write("\t".join(" ".join(str(v).split()) for v in vals) + "\n")
    summary = {}
    for m in manifest:
        summary[(m["split"], m["kind"])] = summary.get((m["split"], m["kind"]), 0) + 1
    for (s, k), n in sorted(summary.items()):
        print(f"{s:5s} {k:13s} {n}")
    print(f"wrote {len(manifest)} images and manifest.jsonl to {os.path.abspath(a.out)}")


if __name__ == "__main__":
    main()

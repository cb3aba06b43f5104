"""Realistic mixed chat traffic: mostly unrelated chatter, some war talk, a few claims.

Every message is distinct, so a matcher that caches answers gets no free ride, and the mix is
fixed by a seed, so every system in a run sees the very same stream.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from bot.core.factbase import FactBase

__all__ = ["SHARE_CLAIMS", "SHARE_ON_TOPIC", "mixed_traffic"]

# Composition of the stream; the rest (~85%) is chatter that has nothing to do with the war.
SHARE_CLAIMS = 0.05
SHARE_ON_TOPIC = 0.10
# How often a chatter message is a dev-set line (or a variant of one) rather than a template.
SHARE_DEVSET_CHATTER = 0.25
# Give up on finding a new distinct message after this many tries and force one with a suffix.
MAX_TRIES = 50

SLOTS: dict[str, tuple[str, ...]] = {
    "game": ("Valorant", "chess", "Minecraft", "Dota", "CS2", "Elden Ring", "poker", "Factorio"),
    "show": ("The Bear", "Severance", "Arcane", "Shogun", "The Office", "Dune", "Slow Horses"),
    "adj": ("wild", "amazing", "so bad", "mid", "insane", "great", "meh", "underrated"),
    "pet": ("cat", "dog", "parrot", "hamster", "kitten"),
    "thing": ("mug", "phone", "plant", "keyboard", "charger", "lamp", "headphones"),
    "food": ("pizza", "sushi", "shawarma", "ramen", "borscht", "tacos", "varenyky", "burgers"),
    "team": ("Dynamo", "Shakhtar", "Arsenal", "Barca", "Lakers", "Real"),
    "group": ("folks", "team", "everyone", "chat", "people", "fam"),
    "name": ("Olena", "Mark", "Ira", "Dmytro", "Sasha", "Kate", "Taras", "Anna", "Max", "Yulia"),
    "place": ("the mall", "Lviv", "the lake", "Warsaw", "the office", "grandma's", "Odesa"),
    "problem": (
        "a merge conflict",
        "the wifi",
        "this npm error",
        "my bike chain",
        "a leaking tap",
        "docker networking",
    ),
    "errand": ("walking the dog", "grabbing lunch", "doorbell", "phone call", "coffee refill"),
    "event": ("the meetup", "board game night", "the concert", "the hackathon", "the picnic"),
    "day": ("Friday", "Saturday", "Sunday", "Monday", "next week", "tomorrow"),
    "topic": ("the budget", "the slides", "the trip", "the release", "rent", "the schedule"),
    "module": ("auth", "billing", "search", "payments", "export", "staging"),
    "weather": ("raining", "freezing", "sunny", "so windy", "snowing", "humid"),
    "month": ("March", "June", "October", "December", "April"),
    "book": ("Dune", "Kobzar", "Project Hail Mary", "The Hobbit", "a Zhadan novel"),
    "task": ("the report", "the tax form", "the grant", "the code review", "the essay"),
    "laugh": ("that meme", "this thread", "what a day", "no way", "I'm dying", "classic"),
    "hour": ("9:00", "10:30", "14:00", "16:15", "noon"),
    "city": ("Kyiv", "Kharkiv", "Odesa", "Dnipro", "Lviv", "Zaporizhzhia", "Sumy", "Mykolaiv"),
    "city_uk": ("Києві", "Харкові", "Одесі", "Дніпрі", "Львові", "Сумах", "Запоріжжі"),
    "city_ru": ("Киеве", "Харькове", "Одессе", "Днепре", "Львове", "Сумах", "Запорожье"),
    "front": ("Pokrovsk", "Kupiansk", "the Kursk direction", "Chasiv Yar", "Huliaipole"),
    "fund": ("the Serhiy Prytula fund", "Come Back Alive", "United24", "a local volunteer group"),
    "leader": ("Zelensky", "Macron", "Starmer", "Tusk", "Stoltenberg", "Rutte"),
    "country": ("Germany", "Canada", "Denmark", "Japan", "the Netherlands", "Norway"),
    "venue": ("Istanbul", "Geneva", "Riyadh", "Jeddah", "Brussels"),
    "news": ("sanctions", "grain corridor", "prisoner exchange", "aid package", "energy"),
    "n": ("2", "3", "5", "7", "12", "15", "20", "25", "40", "73"),
    "emoji": ("😂", "🙏", "🔥", "💙💛", "👍", "😅", ""),
}

CHATTER = (
    "anyone up for {game} tonight?",
    "just finished {show}, the ending was {adj}",
    "my {pet} knocked the {thing} off the table again",
    "lol {laugh} {emoji}",
    "who's ordering {food}? I'm in",
    "can someone review my PR for the {module} module",
    "the {team} game last night was {adj}",
    "good morning {group}! {emoji}",
    "happy birthday {name}! 🎉",
    "has anyone tried the new {food} place near {place}?",
    "I'm stuck on level {n} of {game}, any tips?",
    "reminder: meeting at {hour} {day}",
    "does anyone know how to fix {problem}?",
    "brb, {errand}",
    "it's {weather} here today, ugh",
    "who's coming to {event} on {day}?",
    "just got back from {place}, {adj} trip",
    "{name} did you see my message about {topic}?",
    "ngl {show} season {n} is {adj}",
    "the deadline for {task} is {day}, don't forget",
    "what's everyone reading? I'm on {book}",
    "my train is {n} minutes late again",
    "gg everyone, {game} was fun {emoji}",
    "thanks {name}, that fixed {problem}",
    "is the {module} server down for anyone else?",
    "need coffee before the {hour} standup",
    "can't believe it's already {month}",
    "who wants to split a {food} order with {name}?",
    "доброго ранку, {name}! {emoji}",
    "хто сьогодні грає в {game}?",
    "дивився {show} вчора, дуже сподобалось",
    "хтось замовляє {food}? я б долучився",
    "з днем народження, {name}! 🎉",
    "нагадую: зустріч о {hour}",
    "хтось знає, як полагодити {problem}?",
    "дякую, {name}, все запрацювало {emoji}",
    "потяг знову запізнюється на {n} хвилин",
    "хто йде на {event} у {day}?",
    "всем привет, кто играет в {game} вечером?",
    "смотрел {show}, концовка {adj}",
    "кто заказывает {food}?",
    "с днём рождения, {name}! 🎉",
    "напоминаю: созвон в {hour}",
    "кто-нибудь знает, как починить {problem}?",
    "спасибо, {name}, всё заработало {emoji}",
    "опять опоздал на {n} минут, пробки",
)

ON_TOPIC = (
    "air raid alert in {city} again, stay safe everyone",
    "any news from {front}?",
    "the air force says {n} drones were shot down overnight",
    "donated to {fund} today, every bit helps {emoji}",
    "watching the {leader} press conference now",
    "power is out in {city} after the strike",
    "my cousin in {city} says it was loud last night",
    "{country} announced a new aid package today",
    "anyone following the talks in {venue}?",
    "thoughts on the latest {news} news?",
    "{leader} is meeting {leader} next week about {news}",
    "sirens for {n} hours in {city}, nobody slept",
    "тривога в {city_uk}, бережіть себе {emoji}",
    "збили {n} дронів вночі, дякуємо ППО",
    "задонатила на {fund}, долучайтесь",
    "світла знову немає в {city_uk}",
    "що чути з {front}?",
    "в {city_ru} опять тревога, все в укрытие",
    "что слышно про переговоры в {venue}?",
    "ночью было громко в {city_ru}, все живы",
)

# Chat wraps the same sentence in many ways; these multiply the templates into thousands.
OPENERS_LATIN = ("", "", "", "", "ok ", "hey ", "btw ", "honestly ", "guys, ", "so ", "omg ")
OPENERS_CYRILLIC = ("", "", "", "", "привіт, ", "слухайте, ", "до речі, ", "кстати, ", "ну ")
CLOSERS = ("", "", "", "", " 😂", " lol", " haha", " 🙏", "!!", " :)", " ))", " xd", " 👀", " ахах")
_CYRILLIC_RE = re.compile(r"[а-яіїєґё]", re.IGNORECASE)
CLAIM_PREFIXES = ("", "", "", "lol ", "tbh ", "wake up people: ", "everyone knows ", "fact: ")
CLAIM_SUFFIXES = ("", "", "", "!!!", " 🤡", " share this", "...", " lol", " #truth")
_SLOT_RE = re.compile(r"\{(\w+)\}")


def _fill(template: str, rng: random.Random) -> str:
    return _SLOT_RE.sub(lambda m: rng.choice(SLOTS[m.group(1)]), template).strip()


def _wrap(body: str, rng: random.Random) -> str:
    openers = OPENERS_CYRILLIC if _CYRILLIC_RE.search(body) else OPENERS_LATIN
    return f"{rng.choice(openers)}{body}{rng.choice(CLOSERS)}"


def _vary(text: str, rng: random.Random) -> str:
    """How a claim looks when typed in chat: casing, a dropped word, a prefix, a suffix."""
    words = text.rstrip(".").split()
    if len(words) > 6 and rng.random() < 0.2:
        del words[rng.randrange(len(words))]
    sentence = " ".join(words)
    if rng.random() < 0.4:
        sentence = sentence.lower()
    return f"{rng.choice(CLAIM_PREFIXES)}{sentence}{rng.choice(CLAIM_SUFFIXES)}"


def _distinct(make: Callable[[], str], count: int, seen: set[str], rng: random.Random) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        text = make()
        tries = 0
        while text in seen and tries < MAX_TRIES:
            text, tries = make(), tries + 1
        if text in seen:  # the pool is exhausted: make it distinct the way people do, by adding
            text = f"{text} {rng.choice(('x', '!', '?', '..', '+1'))}{len(seen)}"
        seen.add(text)
        out.append(text)
    return out


def mixed_traffic(
    factbase: FactBase,
    count: int,
    seed: int,
    chatter_lines: Sequence[str] = (),
    on_topic_lines: Sequence[str] = (),
    claim_lines: Sequence[str] = (),
) -> list[str]:
    """`count` distinct messages, shuffled, with the shares above.

    chatter_lines: the dev set's offtopic and benign lines; on_topic_lines: its lookalikes,
    debunks and questions; claim_lines: its assertions about entries of `factbase`. The fact base
    itself supplies claims too (its claim sentences and phrasings, as typed in chat), so the
    stream exercises the matching path for synthetic bases as well as the bundled one.
    """
    rng = random.Random(seed)
    n_claims = round(count * SHARE_CLAIMS)
    n_on_topic = round(count * SHARE_ON_TOPIC)
    n_chatter = count - n_claims - n_on_topic
    texts = [text for entry in factbase for _, text in entry.all_phrasings()]
    # Popular claims come up far more often than the rest (rank ** -1 weights).
    ranks = list(range(len(texts)))
    rng.shuffle(ranks)
    cum_weights = []
    total = 0.0
    for rank in ranks:
        total += 1.0 / (rank + 1)
        cum_weights.append(total)

    def claim() -> str:
        if claim_lines and rng.random() < 0.3:
            line = rng.choice(claim_lines)
            return _vary(line, rng) if rng.random() < 0.5 else line
        return _vary(rng.choices(texts, cum_weights=cum_weights)[0], rng)

    def on_topic() -> str:
        if on_topic_lines and rng.random() < 0.3:
            return _wrap(rng.choice(on_topic_lines), rng)
        return _wrap(_fill(rng.choice(ON_TOPIC), rng), rng)

    def chatter() -> str:
        if chatter_lines and rng.random() < SHARE_DEVSET_CHATTER:
            return _wrap(rng.choice(chatter_lines), rng)
        return _wrap(_fill(rng.choice(CHATTER), rng), rng)

    seen: set[str] = set()
    stream = (
        _distinct(claim, n_claims, seen, rng)
        + _distinct(on_topic, n_on_topic, seen, rng)
        + _distinct(chatter, n_chatter, seen, rng)
    )
    rng.shuffle(stream)
    return stream

"""The indexed texts of the Assembly's posts, written when a post is asked, answered or edited.

A question's title is indexed like a concept's preferred label (a vector and its terms), its
body like a hidden label (terms only: one vector per question keeps 100,000 questions at
150 MB of vectors); an answer's body is indexed with a vector and its terms. Indexing is a
write of its own after the post's, outside the audit log: the texts are derived from the post,
and the post's write is what is audited. Should it fail, the post stands, unindexed until it is
indexed again (:func:`index_posts`).
"""

from __future__ import annotations

from collections.abc import Sequence

from graph import audit
from graph.embeddings import Embedder
from graph.model.assembly import Answer, Question
from graph.store import GraphBatch, GraphStore, IndexedText, TextField, Vector
from graph.text import terms

__all__ = ["INDEXED_BODY", "index_posts", "post_texts"]

#: The characters of a body that are indexed (the model reads fewer tokens than that anyway).
INDEXED_BODY = 2000
#: The language of posts' texts: undetermined (BCP 47), as members write in any language.
_LANG = "und"


def post_texts(post: Question | Answer, vector: Vector | None) -> list[IndexedText]:
    """The indexed texts of a post; ``vector`` embeds its title (a question) or its body."""
    body = " ".join(post.body[:INDEXED_BODY].split())
    if isinstance(post, Answer):
        return [IndexedText(post.id, TextField.PREFERRED, _LANG, body, terms(body), vector)]
    title = " ".join(post.title.split())
    texts = [IndexedText(post.id, TextField.PREFERRED, _LANG, title, terms(title), vector)]
    if body:
        texts.append(IndexedText(post.id, TextField.HIDDEN, _LANG, body, terms(body)))
    return texts


def _index_embedder(store: GraphStore, embedder: Embedder | None) -> Embedder | None:
    """The embedder whose vectors may join the store's (None: index terms only)."""
    model = store.embedding_model()
    if embedder is None or model not in (None, embedder.name):
        return None
    return embedder


def index_posts(
    store: GraphStore, embedder: Embedder | None, posts: Sequence[Question | Answer]
) -> int:
    """Index (or re-index) the texts of ``posts``, replacing what they had; return how many.

    Vectors come from ``embedder`` when the store holds none or the same model's; otherwise the
    posts are indexed by their terms only (and still found lexically).
    """
    if not posts:
        return 0
    usable = _index_embedder(store, embedder)
    vectors: list[Vector | None] = [None] * len(posts)
    if usable is not None:
        wanted = [p.title if isinstance(p, Question) else p.body[:INDEXED_BODY] for p in posts]
        vectors = list(usable.embed(wanted))
    texts = [t for post, v in zip(posts, vectors, strict=True) for t in post_texts(post, v)]
    with audit.suspended():
        store.write(
            GraphBatch(texts=texts, embedding_model=None if usable is None else usable.name)
        )
    return len(texts)

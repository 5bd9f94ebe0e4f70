"""Groups of learners with their leader and mentors, mentors' recommendations, group progress.

- :mod:`.links` — which mentors a group links to a learner (what the consent rules read);
- :mod:`.groups` — create, read and change a group (its leader), a learner's sharing;
- :mod:`.recommendations` — a mentor recommends, the learner accepts or declines;
- :mod:`.progress` — the group's progress over the learners who share it.
"""

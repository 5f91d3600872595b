"""The assignment's numbers as the seed states them; each cohort may set its own chats and tries."""

REQUIRED_CHATS = 2  # "two more coffee chats by the end of Week 4"
MIN_ATTEMPTS = 8  # "everyone you tried reaching out to who hasn't responded ... at least 8 folks"
CHECKPOINT_WEEK = 2
DEADLINE_WEEK = 4
HANDIN_CHATS = 2  # the deliverable: "the LinkedIns of the two people you chatted with"

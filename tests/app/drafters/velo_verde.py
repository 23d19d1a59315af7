"""The Velo Verde test shop's questions (tests/files): ones its documents answer, with the facts a right reply
holds, and ones they do not."""

ANSWERABLE = [
    ("When are you open on Sunday?", ["11:00 to 15:00"]),
    ("What are your opening hours?", ["Monday: 09:00 to 18:00", "Thursday: 09:00 to 20:00"]),
    ("How much is a basic tune-up?", ["£45"]),
    ("Where is the shop?", ["14 Canal Street"]),
    ("What's your phone number?", ["+44 20 7946 0958"]),
    ("Can I return a bike?", ["14 days"]),
    ("How much does delivery cost?", ["£4.95"]),
    ("Do you have parking?", ["parking is behind the building"]),
    ("How long does a repair take?", ["2 working days"]),
    ("Do you offer a student discount?", ["10%"]),
    ("Can I rent an e-bike?", ["£45 per day"]),
    ("Do you accept Apple Pay?", ["Apple Pay"]),
]
UNANSWERABLE = ["Do you sell pizza?", "What is the capital of France?", "Do you repair cars?", "Who is your CEO?"]

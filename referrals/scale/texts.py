"""The invented words the scale data is made of: names, places and what parents said.

Everything here is made up. Surnames repeat, as they do on a real caseload, so that a name search
finds several families; first names are common ones so that no row reads as a real person.
"""


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = _words(
    "Smith Smyth Smythe Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts "
    "Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel "
    "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison "
    "Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb "
    "Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight "
    "Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed "
    "Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford "
    "Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton "
    "O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson "
    "Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry "
    "Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson "
    "Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson "
    "Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson "
    "Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin "
    "Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson "
    "Rahman Nowak Kowalski Popescu Okafor Mensah Nguyen Chen Wong Kaya Silva Santos Ibrahim"
)

FIRST_NAMES = _words(
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace Daisy "
    "Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Millie Matilda "
    "Maya Sophie Alice Emilia Isabelle Ruby Luna Maisie Aria Penelope Mila Bonnie Eva Hallie "
    "Muhammad Noah Oliver George Leo Arthur Oscar Theodore Freddie Theo Archie Henry Alfie "
    "Charlie Finley Jack Tommy Luca Jacob Teddy Harry Lucas Thomas Mason Isaac Albert Reggie "
    "Hugo Arlo Rory Ezra Jude Louie Roman Max Joshua Elijah Ethan Zayn Ibrahim Yusuf Adam"
)

PARENT_NAMES = _words(
    "Sarah Laura Emma Rebecca Hannah Jessica Amy Rachel Gemma Kirsty Natalie Chloe Megan Zoe "
    "Aisha Fatima Priya Amina Joanna Magdalena Ioana Adaeze Grace Leanne Stacey Danielle Jade "
    "James David Daniel Michael Christopher Matthew Andrew Thomas Ryan Liam Jamie Ben Tom Adam "
    "Mohammed Imran Tomasz Andrei Kwame Samuel Craig Lee Dean Scott Gareth Rhys Owen"
)

STREETS = _words(
    "Mill Church Station Park Victoria Queen Green Manor Meadow Grange Orchard Willow Chapel "
    "Springfield Windsor Albert Highfield Kingsway Beech Cedar Elm Oak Ash Rowan Hawthorn "
    "Brook Riverside Canal Market Castle Bridge Hill Moor Valley Forge Foundry Weavers Tannery"
)
STREET_KINDS = ["Road", "Street", "Lane", "Avenue", "Close", "Court", "Way", "Grove", "Crescent"]

#: Team areas: invented place names, numbered on when there are more teams than names.
AREAS = [
    "Ashbury",
    "Brackenfield",
    "Cold Harbour",
    "Dunmere",
    "Eastwick",
    "Fallowfield",
    "Greystones",
    "Hollins",
    "Ivybridge",
    "Juniper Vale",
    "Kettlewell",
    "Longmoor",
    "Marston Green",
    "Netherby",
    "Oakhampton",
    "Pennyfields",
    "Queensbury",
    "Rushworth",
    "Stanhope",
    "Thornbury",
    "Underhill",
    "Valewood",
    "Westerley",
    "Yarrowdale",
    "Zennor",
]

LANGUAGES = ["Polish", "Urdu", "Romanian", "Arabic", "Bengali", "Punjabi", "Portuguese", "Somali"]

#: The three words or phrases a parent chose for their relationship with their baby.
WORDS = [
    "Close",
    "Tired but happy",
    "Learning",
    "Loving",
    "Overwhelmed",
    "Special",
    "Getting there",
    "Precious",
    "Cuddles",
    "Worried",
    "Natural",
    "Exhausting",
    "Proud",
    "Bonded",
    "Fun",
    "Hard work",
    "Calm",
    "Amazing",
    "Unsure",
    "Growing together",
]

JOYS = [
    "When she smiles at me first thing in the morning.",
    "Bath time: he kicks and laughs and we both end up soaked.",
    "Feeding at night when the house is quiet and it is just us.",
    "Watching his dad sing to him; he goes completely still.",
    "She holds my finger and looks right at me.",
    "Walks in the park with the pram, and people stopping to say hello.",
    "How he calms down as soon as I pick him up.",
    "Reading the same book every night; she knows when the page turns.",
]

FEARS = [
    "That I am not doing it right, and everyone else seems to know what they are doing.",
    "Going back to work and missing things.",
    "Being on my own with her when my partner is on nights.",
    "That he cries because of something I did.",
    "Money, mostly, and the flat being cold.",
    "Not sleeping, and snapping at the older one.",
    "That I will feel like I did after my first baby.",
    "Nothing really at the moment, just the usual worries.",
]

#: Sentences a health visitor's reflection is made from (a reflection is a few of them).
REFLECTION = [
    "Parent described a warm relationship and responded quickly to the baby's cues.",
    "Baby settled well in the parent's arms during the visit and fed calmly.",
    "Discussed tiredness and the support available from family nearby.",
    "Parent spoke openly about the difficult first weeks and how things have eased.",
    "Shared the Start for Life information on understanding baby's cues.",
    "Talked through sleep and safe sleeping; parent already following the advice.",
    "Partner present and involved; both parents talked about their baby with warmth.",
    "Parent sometimes unsure how to read the baby's crying; agreed to talk again next visit.",
    "Observed lots of eye contact, talking and smiling between parent and baby.",
    "Parent is isolated since moving to the area; discussed the local baby groups.",
]

PRESENT = ["Mother and baby", "Mother, father and baby", "Mother, partner and baby"]

CONCERN_NOTES = [
    "Parent reports low mood most days; discussed with the GP with consent.",
    "Feeding difficulties and slow weight gain; follow-up weighing arranged.",
    "Parent finding the crying hard to manage; shared coping strategies.",
    "Housing is overcrowded and damp; parent agreed to a referral for support.",
    "Limited support at home since the partner left; agreed a further visit.",
]

ACTIONS = [
    "Spoke to the parent the same day and agreed a plan; GP informed.",
    "Discussed with the team lead and the safeguarding lead; follow-up visit booked.",
    "Parent seen at home; referral to the perinatal mental health team made with consent.",
]

CLOSE_REASONS = ["Resolved: parent reports things are much better.", "Support now in place."]

FOLLOW_UPS = [
    "Check how feeding is going.",
    "Weigh the baby and review weight gain.",
    "Talk again about how the parent is feeling.",
    "Review sleep and settling.",
    "See how the family is getting on at the new address.",
]

RESOURCES = [
    ("Start for Life: your baby's first weeks", "https://www.nhs.uk/start-for-life/"),
    ("Crying and colic", "https://www.nhs.uk/conditions/baby/caring-for-a-newborn/"),
    ("Safer sleep for babies", "https://www.lullabytrust.org.uk/safer-sleep-advice/"),
]

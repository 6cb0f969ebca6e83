# placeholder until the letter branch lands (not committed)
def referral_letter(referral):
    return referral

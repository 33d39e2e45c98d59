from complaints.lifecycle import State


def test_walk_every_state(complaint_in):
    for state in State:
        complaint = complaint_in(state)
        assert complaint.state == state

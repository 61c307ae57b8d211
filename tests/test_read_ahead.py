"""Reading ahead in a thread gives the same items, errors and early stops as reading inline."""

import threading

import pytest

from tourism_api.read_ahead import read_ahead


def test_items_come_in_order_produced_in_another_thread():
    threads = set()

    def numbers():
        for i in range(50):
            threads.add(threading.current_thread().name)
            yield i

    assert list(read_ahead(numbers(), depth=2)) == list(range(50))
    assert threads == {"read-ahead"}


def test_the_producers_error_is_raised_to_the_reader_after_the_items_before_it():
    def failing():
        yield 1
        yield 2
        raise LookupError("the database went away")

    seen = []
    with pytest.raises(LookupError, match="went away"):
        for item in read_ahead(failing()):
            seen.append(item)
    assert seen == [1, 2]


def test_stopping_early_stops_the_producer():
    produced = []
    finished = threading.Event()
    closed_in = []

    def endless():
        try:
            i = 0
            while True:
                produced.append(i)
                yield i
                i += 1
        finally:
            closed_in.append(threading.current_thread().name)
            finished.set()

    reader = read_ahead(endless(), depth=1)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()
    assert finished.wait(5)
    assert closed_in == ["read-ahead"]  # where its session (if any) was opened
    # At most the item in hand, the one queued and the one being put when told to stop.
    assert len(produced) <= 6

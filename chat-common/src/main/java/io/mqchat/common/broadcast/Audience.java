package io.mqchat.common.broadcast;

import java.util.List;

/** Whom an operator's broadcast is for. */
public sealed interface Audience {

    /** Every user: the system conversation, delivered to the inbox of every connected device. */
    record Everyone() implements Audience {
    }

    /** The listed users: the system conversation, readable by them only, delivered to their inboxes. */
    record Users(List<String> ids) implements Audience {

        public Users {
            ids = List.copyOf(ids);
        }
    }

    /** The members of a group: its own conversation, delivered on the group topic. */
    record Group(String groupId) implements Audience {
    }
}

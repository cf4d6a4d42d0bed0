package io.mqchat.demo;

import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class MentionsTest {

    @Test
    void atWordsBecomeMentionsOnceInOrder() {
        assertThat(Mentions.extract("@bob hi, and @carol too; @bob again")).containsExactly("bob", "carol");
    }

    @Test
    void trailingPunctuationIsNotPartOfTheUserId() {
        assertThat(Mentions.extract("thanks @bob! see @carol, @dave. (@erin) @frank:"))
                .containsExactly("bob", "carol", "dave", "erin", "frank");
    }

    @Test
    void allIsAMentionOfEveryone() {
        assertThat(Mentions.extract("@all standup in 5")).containsExactly("all");
    }

    @Test
    void notEverythingWithAnAtIsAMention() {
        assertThat(Mentions.extract("mail bob@example.org or @ or @x or @no/slash or @" + "a".repeat(40))).isEmpty();
        assertThat(Mentions.extract("")).isEmpty();
        assertThat(Mentions.extract(null)).isEmpty();
    }

    @Test
    void dotsInsideUserIdsStay() {
        assertThat(Mentions.extract("ping @bob.smith.")).containsExactly("bob.smith");
    }

    @Test
    void atMostTheServersLimit() {
        String text = IntStream.range(0, 60).mapToObj(i -> "@user" + i).collect(Collectors.joining(" "));
        assertThat(Mentions.extract(text)).hasSize(Mentions.MAX).startsWith("user0").endsWith("user49");
    }
}

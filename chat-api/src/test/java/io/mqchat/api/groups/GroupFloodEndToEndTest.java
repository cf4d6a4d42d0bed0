package io.mqchat.api.groups;

import io.mqchat.web.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Creating groups and putting people into them are rate-limited per user: 429 problems with
 * {@code Retry-After}. Small explicit limits here (the defaults are far above what a person does).
 */
class GroupFloodEndToEndTest extends GroupsApiTestBase {

    @DynamicPropertySource
    static void limits(DynamicPropertyRegistry registry) {
        registry.add("mqchat.ratelimit.group-create", () -> "2/h");
        registry.add("mqchat.ratelimit.group-add", () -> "3/h");
    }

    private static void assertTooMany(TestHttp.Response r, String detailPart) {
        assertProblem(r, 429, detailPart);
        assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 3600L);
    }

    @Test
    void aThirdGroupWithinTheHourIsRefusedWithRetryAfter() {
        String spammer = users(1).get(0);
        create(spammer, List.of(), "");
        create(spammer, List.of(), "");
        TestHttp.Response third = call("POST", "/api/v1/groups", "{\"name\":\"Spam\",\"members\":[]}", spammer);
        assertTooMany(third, "too many groups");
        assertThat(db().getCollection("groups").countDocuments(new org.bson.Document("owner", spammer))).isEqualTo(2);
        // the limit is the spammer's, not everyone's
        create(users(1).get(0), List.of(), "");
    }

    @Test
    void addingAndInvitingShareOneBudgetCountedPerUser() {
        List<String> u = users(5);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 3), ""); // 2 of 3
        assertStatus(call("POST", "/api/v1/groups/" + g + "/members", "{\"userIds\":" + json(u.subList(3, 4)) + "}",
                owner), 201); // 3 of 3
        TestHttp.Response added = call("POST", "/api/v1/groups/" + g + "/members",
                "{\"userIds\":" + json(u.subList(4, 5)) + "}", owner);
        assertTooMany(added, "too many users");
        assertThat(member(g, u.get(4))).isNull();
        TestHttp.Response invited = call("POST", "/api/v1/groups/" + g + "/invitations",
                "{\"userIds\":" + json(u.subList(4, 5)) + "}", owner);
        assertTooMany(invited, "too many users");
        assertThat(db().getCollection("group_invitations").countDocuments(new org.bson.Document("groupId", g))).isZero();
        // another member still has a budget of their own
        assertStatus(call("POST", "/api/v1/groups/" + g + "/invitations", "{\"userIds\":" + json(u.subList(4, 5)) + "}",
                u.get(1)), 201);
    }

    @Test
    void aRefusedCreationCostsNothingAndARequestAboveTheBurstIsRefusedOutright() {
        List<String> u = users(5);
        String owner = u.get(0);
        // four at once can never fit a burst of three: no Retry-After, split the request
        TestHttp.Response tooBig = call("POST", "/api/v1/groups", "{\"name\":\"Big\",\"members\":" + json(u.subList(1, 5))
                + "}", owner);
        assertProblem(tooBig, 429, "at most 3 users at once");
        assertThat(tooBig.header("Retry-After")).isNull();
        // the refused creation took no group-create token: two creations still go through
        create(owner, u.subList(1, 4), "");
        create(owner, List.of(), "");
        assertTooMany(call("POST", "/api/v1/groups", "{\"name\":\"Third\",\"members\":[]}", owner), "too many groups");
    }
}

package io.nodepulse.topic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;

/** Creates the pipeline's topics where they are missing; existing topics are left as they are. */
public final class TopicAdmin {
    private TopicAdmin() {
    }

    /**
     * Partition count for a topic. The schemas topic always has one partition: it is small, and one partition
     * lets a reader know it has reached the end with a single offset.
     */
    public static int partitionsFor(Topics topics, Topic<?, ?> topic, int dataPartitions) {
        return topic.equals(topics.schemas()) || topic.equals(topics.dlq()) ? 1 : dataPartitions;
    }

    /** @return the names of the topics this call created */
    public static List<String> createMissing(Admin admin, Topics topics, int dataPartitions, short replication,
                                             Duration timeout) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> t : topics.all()) {
                if (!existing.contains(t.name())) {
                    missing.add(new NewTopic(t.name(), partitionsFor(topics, t, dataPartitions), replication)
                            .configs(t.allConfigs()));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return missing.stream().map(NewTopic::name).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("cannot create topics under prefix '" + topics.prefix() + "': "
                    + (e.getCause() != null ? e.getCause().getMessage() : e), e);
        }
    }
}

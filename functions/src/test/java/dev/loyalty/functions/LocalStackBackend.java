package dev.loyalty.functions;

import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The opt-in LocalStack backend ({@code -Dtest.aws=localstack}), for machines with a Docker
 * engine. Loaded only when selected, so the default build never touches Docker.
 */
final class LocalStackBackend {
    static final String IMAGE = "localstack/localstack:4.4";

    private LocalStackBackend() {
    }

    static LocalStackContainer start() {
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(IMAGE))
                .withServices(LocalStackContainer.Service.DYNAMODB);
        container.start();
        return container;
    }
}

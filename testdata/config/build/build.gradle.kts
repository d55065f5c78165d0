plugins {
    java
    id("org.springframework.boot") version "2.7.18"
}

extra["springCloudVersion"] = "2021.0.9"
val sctVersion = "1.13.0-2021.0.9"

dependencies {
    implementation(platform("com.tencent.cloud:spring-cloud-tencent-dependencies:$sctVersion"))
    implementation("com.tencent.cloud:spring-cloud-starter-tencent-polaris-discovery")
    implementation("com.tencent.polaris:polaris-all:2.0.0.0")
}

dependencyManagement {
    imports {
        mavenBom("org.springframework.cloud:spring-cloud-dependencies:${property("springCloudVersion")}")
    }
}

// The AAR: the uniffi-generated Kotlin (generated/kotlin, written by
// build-native.sh) over the Rust library built for each ABI with cargo-ndk
// (src/main/jniLibs/<abi>/libmapsindoors_auth_uniffi.so), JNA's AAR (it
// carries JNA's own native part per ABI) and kotlinx-coroutines.
// Build: ./build-native.sh, then ./gradlew assembleRelease (README.md).
plugins {
    // AGP 8.x: AGP 9 builds Kotlin itself and refuses the Kotlin Android plugin.
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.4.21"
}

android {
    namespace = "com.mapsindoors.auth"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets {
        getByName("main") {
            java.srcDir("generated/kotlin")
            jniLibs.srcDir("src/main/jniLibs")
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    // `api`: the generated code's public types use JNA's, and apps need its native part.
    api("net.java.dev.jna:jna:5.19.1@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.11.0")
}

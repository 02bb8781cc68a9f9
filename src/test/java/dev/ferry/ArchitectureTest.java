package dev.ferry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.ferry.exchange.DryRun;
import dev.ferry.exchange.Evaluation;
import dev.ferry.exchange.EvaluationRequest;
import org.junit.jupiter.api.Test;

/** The shape STYLE.md asks for, checked: one sentence a rule. */
class ArchitectureTest {

    private static final JavaClasses FERRY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ferry");

    @Test
    void noCyclesBetweenFeatures() {
        slices().matching("dev.ferry.(*)..").should().beFreeOfCycles().check(FERRY);
    }

    @Test
    void onlyTokenTouchesPrivateKeysAndSigners() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.ferry.token..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("com.nimbusds.jose.JWSSigner")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("com.nimbusds.jose.jwk.gen..")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("javax.crypto.Cipher")
                .check(FERRY);
    }

    @Test
    void onlyFederationMakesOutboundHttpCalls() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.ferry.federation..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("java.net.http..")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.net.HttpURLConnection")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("com.nimbusds.jose.util.DefaultResourceRetriever")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("org.springframework.web.client.RestClient")
                .check(FERRY);
    }

    @Test
    void ruleInputNeverMeetsJavaUtilRegex() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.ferry.policy..", "dev.ferry.federation..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("java.util.regex..")
                .check(FERRY);
    }

    @Test
    void onlyAdminServesTheOperatorApi() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.ferry.admin..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.ferry.admin..")
                .check(FERRY);
    }

    @Test
    void adminReachesTheExchangeOnlyThroughTheDryRun() {
        noClasses()
                .that()
                .resideInAPackage("dev.ferry.admin..")
                .should()
                .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.ferry.exchange..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(
                                DryRun.class, Evaluation.class, EvaluationRequest.class))))
                .check(FERRY);
    }
}

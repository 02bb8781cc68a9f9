package dev.ferry.policy;

import org.springframework.data.jpa.repository.JpaRepository;

interface RuleRepository extends JpaRepository<RuleEntity, String> {}
